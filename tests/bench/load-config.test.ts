import { describe, expect, it } from "vitest";
import { LoadConfigError, parseLoadConfig } from "./load-config";

describe("parseLoadConfig", () => {
  it("defaults to 50 users for 60 s on port 3203 with a bounded request budget", () => {
    expect(parseLoadConfig({}, [])).toEqual({
      users: 50,
      seconds: 60,
      thinkMs: 1000,
      port: 3203,
      maxRequests: 50 * 60 * 40,
    });
  });

  it("reads the environment, and flags win over it", () => {
    const config = parseLoadConfig({ LOAD_USERS: "3", LOAD_SECONDS: "3" }, ["--seconds=5"]);
    expect(config).toMatchObject({ users: 3, seconds: 5, maxRequests: 3 * 5 * 40 });
    expect(parseLoadConfig({ LOAD_MAX_REQUESTS: "10" }, ["--think-ms=0"])).toMatchObject({
      maxRequests: 10,
      thinkMs: 0,
    });
  });

  it("refuses values out of bounds or not whole numbers, naming the setting", () => {
    expect(() => parseLoadConfig({ LOAD_USERS: "0" }, [])).toThrow(
      'LOAD_USERS (--users): must be a whole number from 1 to 500, got "0"',
    );
    expect(() => parseLoadConfig({}, ["--seconds=1e9"])).toThrow(LoadConfigError);
    expect(() => parseLoadConfig({ LOAD_PORT: "80" }, [])).toThrow(/LOAD_PORT/);
    expect(() => parseLoadConfig({ LOAD_THINK_MS: "1.5" }, [])).toThrow(/LOAD_THINK_MS/);
  });

  it("refuses an unknown argument, listing the flags", () => {
    expect(() => parseLoadConfig({}, ["--user=3"])).toThrow(/unknown argument "--user=3"/);
    expect(() => parseLoadConfig({}, ["60"])).toThrow(/--users=N/);
  });
});
