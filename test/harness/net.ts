import { get } from "http";
import { createServer } from "net";

export function freePort(): Promise<number> {
    return new Promise((resolve, reject) => {
        const s = createServer();
        s.listen(0, "127.0.0.1", () => {
            const port = (s.address() as { port: number }).port;
            s.close(() => resolve(port));
        });
        s.on("error", reject);
    });
}

export function getJson(url: string): Promise<any> {
    return new Promise((resolve, reject) => {
        get(url, (res) => {
            let body = "";
            res.on("data", (d) => (body += d));
            res.on("end", () => (res.statusCode === 200 ? resolve(JSON.parse(body)) : reject(new Error(`${url}: ${res.statusCode}`))));
        }).on("error", reject);
    });
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
