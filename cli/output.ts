// What a command returns: what it prints, the notes for stderr and its exit code. main.ts
// prints it; each command's module (bump, rollback, plan, due, status, import, init) makes it.
export interface Output {
    stdout: string;
    /** Notes for the person at the terminal (stderr). */
    notes: string[];
    exitCode: number;
}
