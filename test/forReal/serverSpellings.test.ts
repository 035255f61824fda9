// The planner takes `127.1`, `0x7f.0.0.1`, `2130706433`, `0177.0.0.1` and `LOCALHOST` for
// the server at 127.0.0.1 (components/plan/credentials.ts canonicalServerHost, which parses
// IPv4 as the WHATWG URL parser does). That holds only if the tools the hooks run resolve
// them so: here psql and redis-cli are pointed at a listener of this test's own on
// 127.0.0.1 through each spelling, and it must see their connection. (No database or Redis
// server is involved: the listener closes each connection, and the tools' errors are expected.)
import { spawn } from "child_process";
import { AddressInfo, Server, Socket, createServer } from "net";
import { canonicalServerHost } from "../../components/plan/credentials";
import { commandExists, describeNeeding } from "../harness/requirements";

const SPELLINGS = ["127.0.0.1", "127.1", "0x7f.0.0.1", "2130706433", "0177.0.0.1", "LOCALHOST", "localhost"];

/** Runs the tool against host:port; resolves when it exits (it fails: the listener hangs up). */
function attempt(tool: string, host: string, port: number): Promise<void> {
    const args = tool === "psql" ? ["-X", "-h", host, "-p", String(port), "-U", "nobody", "-d", "nothing", "-c", "select 1"] : ["-h", host, "-p", String(port), "ping"];
    return new Promise((resolve) => {
        const p = spawn(tool, args, { stdio: "ignore", env: { ...process.env, PGCONNECT_TIMEOUT: "3" } });
        p.on("exit", () => resolve());
    });
}

describeNeeding("postgres", commandExists("psql") && commandExists("redis-cli"), "install psql and redis-cli (apt-get install postgresql-client redis-tools)", "psql and redis-cli reach 127.0.0.1 through each spelling the planner takes for it", () => {
    let server: Server;
    let port: number;
    const seen: string[] = [];
    beforeAll(async () => {
        server = createServer((s: Socket) => {
            seen.push(s.remoteAddress ?? "?");
            s.destroy();
        });
        await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
        port = (server.address() as AddressInfo).port;
    });
    afterAll(() => new Promise<void>((r) => server.close(() => r())));

    test.each(SPELLINGS.flatMap((h) => [["psql", h], ["redis-cli", h]]))("%s -h %s", async (tool, host) => {
        expect(canonicalServerHost(host)).toBe("localhost");
        seen.length = 0;
        await attempt(tool, host, port);
        expect(seen.length).toBeGreaterThan(0);
    });
});
