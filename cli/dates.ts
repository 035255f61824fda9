// Dates on the command line: --date, --today, and the clock's day the planner checks
// rotatedAt against.
import { dateProblem } from "../components/plan/model";
import { dateText, describe } from "../components/plan/shown";
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

/**
 * `--within`: a whole number of days (0 to 99999), as `due` and `bump --due` read it. Shown
 * when it is written as a number ("-3", "1.5"); anything else typed there is described.
 */
export function checkDays(flag: string, value: string): number {
    if (!/^\d{1,5}$/.test(value)) {
        const shown = /^[-+.\d]{1,12}$/.test(value) ? JSON.stringify(value) : `(${describe(value)}, not shown)`;
        throw new CliError(`${flag} ${shown} is not a number of days`);
    }
    return Number(value);
}
