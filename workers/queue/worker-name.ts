import { hostname } from "node:os";

/** `host:pid`, as the run record says where a run ran. */
export function workerName(): string {
  return `${hostname()}:${process.pid}`;
}
