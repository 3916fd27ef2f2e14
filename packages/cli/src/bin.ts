#!/usr/bin/env node
import { main } from "./cli.js";

// `metahook plan ... | head`: the reader went away; stop quietly, as other Unix tools do.
process.stdout.on("error", (error: NodeJS.ErrnoException) => {
  if (error.code === "EPIPE") process.exit(0);
  throw error;
});

process.exitCode = await main(process.argv.slice(2));
