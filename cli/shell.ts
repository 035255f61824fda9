// Words of the shell commands rekey prints for a user to run (`cd DIR`, `pulumi import --file
// FILE`, `--stack NAME`): each is one word to a POSIX shell whatever it holds (spaces, quotes, `$`, a
// backquote, a newline), and none is read as an option.

/** Characters a POSIX shell takes literally in an unquoted word (no glob, expansion or operator). */
const PLAIN = /^[A-Za-z0-9_@%+=:,./-]+$/;

/** `s` as one POSIX shell word: as it is when plain, else in single quotes (a `'` inside as `'\''`). */
export function shellWord(s: string): string {
    return PLAIN.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

/** A path as one shell word that no command reads as an option: `-x` becomes `./-x`. */
export function shellPath(path: string): string {
    return shellWord(path.startsWith("-") ? `./${path}` : path);
}

/**
 * `--stack NAME` in a command line rekey tells a person to run (rekey's own, pulumi's):
 * `--stack=NAME` for a stack name starting with "-" (Pulumi allows it, project.ts
 * STACK_NAME), which would otherwise read as a flag.
 */
export function stackFlag(stack: string): string {
    return stack.startsWith("-") ? `--stack=${shellWord(stack)}` : `--stack ${shellWord(stack)}`;
}
