import { describe, expect, it } from "vitest";
import {
  choosePgTool,
  libpqConnection,
  majorOfServerVersionNum,
  parsePgVersion,
  schemaOf,
  type PgTool,
} from "./pg-tools";

const tool = (major: number, minor = 3): PgTool => ({
  path: `/usr/lib/postgresql/${major}/bin/pg_dump`,
  version: `${major}.${minor}`,
  major,
});

describe("parsePgVersion", () => {
  it("reads Debian's and upstream's version lines", () => {
    expect(parsePgVersion("pg_dump (PostgreSQL) 15.18 (Debian 15.18-0+deb12u1)\n")).toEqual({
      version: "15.18",
      major: 15,
    });
    expect(parsePgVersion("psql (PostgreSQL) 17.2")).toEqual({ version: "17.2", major: 17 });
    expect(parsePgVersion("pg_restore (PostgreSQL) 9.6.24")).toEqual({ version: "9.6", major: 9 });
    expect(parsePgVersion("bash: pg_dump: command not found")).toBeNull();
  });

  it("reads the server's major version from server_version_num", () => {
    expect(majorOfServerVersionNum(150018)).toBe(15);
    expect(majorOfServerVersionNum(170002)).toBe(17);
    expect(majorOfServerVersionNum(90624)).toBe(9);
  });
});

describe("choosePgTool", () => {
  const need = { minimumMajor: 15, why: "the PostgreSQL 15.18 server" };

  it("prefers the server's own major version, else the nearest newer one", () => {
    expect(choosePgTool("pg_dump", [tool(17), tool(15), tool(16)], need).major).toBe(15);
    expect(choosePgTool("pg_dump", [tool(17), tool(16), tool(13)], need).major).toBe(16);
  });

  it("says which package to install when pg_dump is missing or older than the server", () => {
    expect(() => choosePgTool("pg_dump", [], need)).toThrow(
      /pg_dump was not found: install Debian's PostgreSQL 15 client \(apt-get install postgresql-client-15\)/,
    );
    expect(() => choosePgTool("pg_dump", [tool(13, 9), tool(14)], need)).toThrow(
      /pg_dump 14.3 \(\/usr\/lib\/postgresql\/14\/bin\/pg_dump\) is older than the PostgreSQL 15.18 server \(version 15\); install/,
    );
  });
});

describe("libpqConnection", () => {
  it("moves the password into PGPASSWORD and drops Prisma's own parameters", () => {
    const conn = libpqConnection(
      "postgresql://leffa:p%40ss@127.0.0.1:54329/leffa?schema=public&connection_limit=5&sslmode=disable",
    );
    expect(conn.env).toEqual({ PGPASSWORD: "p@ss" });
    expect(conn.url).toBe("postgresql://leffa@127.0.0.1:54329/leffa?sslmode=disable");
  });

  it("leaves a URL without a password alone", () => {
    expect(libpqConnection("postgres://db.internal/studio")).toEqual({
      url: "postgres://db.internal/studio",
      env: {},
    });
  });

  it("reads the schema Prisma would use", () => {
    expect(schemaOf("postgresql://h/db")).toBe("public");
    expect(schemaOf("postgresql://h/db?schema=studio")).toBe("studio");
  });
});
