// The floor: a bare node:http server doing only what any hook server must do (read the body,
// JSON.parse, run the same hook functions metahook serves, JSON.stringify, write). No checks,
// no logging, no metrics: what metahook is measured against.
import { createServer } from "node:http";
import { type BlogRequest, syncBlog } from "./controllers/blog.js";
import { type PodSetRequest, syncPodSet } from "./controllers/podset.js";

const hooks: { [path: string]: (request: never) => unknown } = {
  "/blog/sync": (request: BlogRequest) => syncBlog(request),
  "/podset/sync": (request: PodSetRequest) => syncPodSet(request),
};

const server = createServer((req, res) => {
  if (req.url === "/readyz") {
    res.writeHead(200, { "content-type": "application/json" }).end('{"status":"ready"}');
    return;
  }
  const hook = hooks[req.url ?? ""];
  if (req.method !== "POST" || hook === undefined) {
    res.writeHead(404).end();
    return;
  }
  const chunks: Buffer[] = [];
  req.on("data", (chunk: Buffer) => chunks.push(chunk));
  req.on("end", () => {
    let text: string;
    try {
      text = JSON.stringify(hook(JSON.parse(Buffer.concat(chunks).toString("utf8")) as never));
    } catch (error) {
      res.writeHead(500).end(String(error));
      return;
    }
    res
      .writeHead(200, {
        "content-type": "application/json; charset=utf-8",
        "content-length": Buffer.byteLength(text),
      })
      .end(text);
  });
});

server.listen(Number(process.env.PORT ?? 0), "127.0.0.1", () => {
  const address = server.address();
  process.stdout.write(`${typeof address === "object" && address ? address.port : ""}\n`);
});
process.on("SIGTERM", () => server.close(() => process.exit(0)));
