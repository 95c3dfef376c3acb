// The peer side of bench/discord_vs_discordjs.sh: the same JSON-lines workload that
// `cadence discord batch` reads, sent through @discordjs/rest all at once (discord.js queues
// per bucket itself), with the summary line `cadence discord batch` writes on stderr.
//
//   node discordjs_batch.mjs NODE_MODULES_DIR BASE_URL < workload.jsonl
import { createRequire } from "node:module";
import { readFileSync } from "node:fs";
import { resolve } from "node:path";

const require = createRequire(resolve(process.argv[2]) + "/");
const { REST } = require("@discordjs/rest");
const api = process.argv[3];
const token = process.env.DISCORD_TOKEN ?? "sim-token";

const lines = readFileSync(0, "utf8").split("\n").filter((l) => l.trim().length > 0);
const jobs = lines.map((l) => JSON.parse(l));
const rest = new REST({ api, version: "10" }).setToken(token);

let ok = 0;
let failed = 0;
let limited = 0;
rest.on("response", (_request, response) => {
  if (response.status === 429) limited += 1;
});

const start = process.hrtime.bigint();
await Promise.all(
  jobs.map(async (job) => {
    const query = job.query ? new URLSearchParams(job.query) : undefined;
    try {
      await rest.request({
        method: job.method,
        fullRoute: job.route,
        body: job.body,
        query,
        reason: job.reason,
      });
      ok += 1;
    } catch {
      failed += 1;
    }
  }),
);
const elapsed = Number(process.hrtime.bigint() - start) / 1e9;
process.stderr.write(
  JSON.stringify({ requests: jobs.length, ok, failed, rate_limited_429: limited, elapsed_s: elapsed }) + "\n",
);
