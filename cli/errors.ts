/** A failure the user can fix (bad arguments, an unreadable or invalid stack file): exit 2. */
export class CliError extends Error {
    constructor(message: string, readonly exitCode = 2) {
        super(message);
        this.name = "CliError";
    }
}
