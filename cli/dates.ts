// Dates on the command line: --date, --today, and the clock's day the planner checks
// rotatedAt against.
import { dateProblem } from "../components/plan/model";
import { dateText } from "../components/plan/shown";
import { CliError } from "./errors";

/** Today (UTC, from the clock; tests give their own), for the planner's rotatedAt check. */
export interface Today {
    today: string;
}

/**
 * `value` when it is a date written YYYY-MM-DD that exists; a CliError naming `flag` otherwise,
 * which shows the value only when it is written as a date (shown.ts `dateText`): what was
 * typed there may be a pasted password.
 */
export function checkDate(flag: string, value: string): string {
    const problem = dateProblem(value);
    if (problem) throw new CliError(`${flag} ${dateText(value)} ${problem}`);
    return value;
}
