// A consumer for the mysql hook's real rotations: a loader that reads DB_PASSWORD (and
// DB_PASSWORD_USER, else `user`) from its .env when it starts and logs in to the server
// with the mariadb client, one new login after another (each a few ms), counting every
// login that worked and every one refused. Its restart starts a new loader and, once that
// one logged in, stops the old one (as a rolling restart does); its verify asks the
// current loader for at least one login and no refusal.
import { existsSync, readFileSync, readdirSync, writeFileSync } from "fs";
import { join } from "path";
import { MARIADB_CLIENT } from "./mariadbServer";

export interface LoaderRun {
    dir: string;
    ok: number;
    failed: number;
    errors: string;
}

/** Writes the loader's scripts into `dir`; returns the consumer's config. */
export function mysqlLoadConsumer(dir: string, env: string, port: number, secret: string, user: string | null) {
    const loader = join(dir, "loader.sh");
    // The .env holds KEY='value' lines of hex values and user names, which sh reads as they are.
    writeFileSync(
        loader,
        [
            "set -u",
            `. '${env}'`,
            'run=$1; umask 077; mkdir -p "$run"',
            `printf '[client]\\nhost=127.0.0.1\\nport=${port}\\nuser=%s\\npassword=%s\\n' "${user === null ? `$${secret}_USER` : user}" "$${secret}" >"$run/my.cnf"`,
            "ok=0; failed=0",
            'while [ ! -e "$run/stop" ]; do',
            `  if ${MARIADB_CLIENT} --defaults-file="$run/my.cnf" -N -B -e 'SELECT 1' >/dev/null 2>>"$run/errors"; then ok=$((ok + 1)); else failed=$((failed + 1)); fi`,
            '  echo "$ok $failed" >"$run/counts.tmp"; mv "$run/counts.tmp" "$run/counts"',
            "done",
            'touch "$run/done"',
        ].join("\n"),
    );
    const restart = join(dir, "restart.sh");
    writeFileSync(
        restart,
        [
            "set -eu",
            `d='${dir}'`,
            'old=$(cat "$d/current" 2>/dev/null || true)',
            'run="$d/run.$(date +%s%N)"',
            `nohup sh '${loader}' "$run" >/dev/null 2>&1 &`,
            'echo "$run" >"$d/current"',
            'for i in $(seq 300); do [ -e "$run/counts" ] && [ "$(cut -d" " -f1 "$run/counts")" -gt 0 ] && break; sleep 0.05; done',
            'if [ -n "$old" ]; then touch "$old/stop"; for i in $(seq 300); do [ -e "$old/done" ] && break; sleep 0.05; done; fi',
        ].join("\n"),
    );
    const verify = `run=$(cat '${dir}/current') && set -- $(cat "$run/counts") && [ "$1" -gt 0 ] && [ "$2" = 0 ]`;
    return { restart: `sh ${restart}`, verify: { command: verify, timeoutSeconds: 20, intervalSeconds: 1 } };
}

/** Stops every loader and reads what each counted. */
export async function stopLoaders(dir: string): Promise<LoaderRun[]> {
    const runs = readdirSync(dir).filter((n) => n.startsWith("run.")).sort().map((n) => join(dir, n));
    for (const r of runs) writeFileSync(join(r, "stop"), "");
    for (const r of runs) for (let i = 0; i < 200 && !existsSync(join(r, "done")); i++) await new Promise((res) => setTimeout(res, 50));
    return runs.map((r) => {
        const [ok, failed] = existsSync(join(r, "counts")) ? readFileSync(join(r, "counts"), "utf8").trim().split(" ").map(Number) : [0, 0];
        return { dir: r, ok, failed, errors: existsSync(join(r, "errors")) ? readFileSync(join(r, "errors"), "utf8") : "" };
    });
}
