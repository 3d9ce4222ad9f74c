import { constants as fsConstants } from "node:fs";
import { describe, expect, it } from "vitest";
import { KEEP_ALL, LOSE_ALL, PowerCutFs, seededChooser, type CrashPoint } from "./power-cut-fs.js";

const DIR = "/disk";
const b = (s: string): Buffer => Buffer.from(s);
const show = (image: ReadonlyMap<string, Buffer>): Record<string, string> => Object.fromEntries([...image].map(([n, v]) => [n, v.toString()]));

/** The crash point of the next call made on `fs`. */
function cutNext(fs: PowerCutFs): () => CrashPoint {
  let point: CrashPoint | undefined;
  fs.beforeCall = (_, p) => (point ??= p());
  return () => {
    fs.beforeCall = undefined;
    return point!;
  };
}

describe("PowerCutFs", () => {
  it("loses data not fsynced, also in a file renamed into place, and keeps what was", async () => {
    const fs = new PowerCutFs(DIR, new Map([["state", b("old")]]));
    const dir = await fs.open(DIR, "r");
    const tmp = await fs.open(`${DIR}/state.tmp`, "w");
    await tmp.write(b("new"), 0, 3, 0);
    await tmp.close();
    await fs.rename(`${DIR}/state.tmp`, `${DIR}/state`);
    await dir.sync(); // the rename is durable, the data is not
    const cut = cutNext(fs);
    fs.readdirSync(DIR);
    expect(show(cut().image(LOSE_ALL))).toEqual({ state: "" });
    expect(show(cut().image(KEEP_ALL))).toEqual({ state: "new" });
    expect(show(fs.liveImage())).toEqual({ state: "new" });
  });

  it("may undo a create, rename or unlink until the directory is fsynced, each one on its own", async () => {
    const fs = new PowerCutFs(DIR, new Map([["a", b("A")], ["gone", b("G")]]));
    fs.renameSync(`${DIR}/a`, `${DIR}/b`);
    fs.unlinkSync(`${DIR}/gone`);
    const cut = cutNext(fs);
    fs.readdirSync(DIR);
    expect(show(cut().image(LOSE_ALL))).toEqual({ a: "A", gone: "G" });
    expect(show(cut().image(KEEP_ALL))).toEqual({ b: "A" });
    const seen = new Set<string>();
    for (let seed = 0; seed < 40; seed++) seen.add(JSON.stringify(show(cut().image(seededChooser(seed)))));
    expect(seen).toEqual(new Set([{ a: "A", gone: "G" }, { b: "A", gone: "G" }, { a: "A" }, { b: "A" }].map((x) => JSON.stringify(x))));
    const fd = fs.openSync(DIR, "r");
    fs.fsyncSync(fd);
    const after = cutNext(fs);
    fs.readdirSync(DIR);
    expect(show(after().image(LOSE_ALL))).toEqual({ b: "A" });
  });

  it("makes a write through an O_DSYNC handle durable when it returns, and may tear the one in flight", async () => {
    const fs = new PowerCutFs(DIR, new Map([["wal", Buffer.alloc(8)]]));
    const wal = await fs.open(`${DIR}/wal`, fsConstants.O_RDWR | fsConstants.O_DSYNC);
    await wal.write(b("ab"), 0, 2, 0);
    const cut = cutNext(fs);
    await wal.write(b("cdef"), 0, 4, 2); // the power goes during this write
    expect(show(cut().image(LOSE_ALL))).toEqual({ wal: "ab\0\0\0\0\0\0" });
    expect(show(cut().image(KEEP_ALL))).toEqual({ wal: "abcdef\0\0" });
    // A torn write keeps a prefix: choose "not whole" (0 of 2), then 2 of its 4 bytes.
    const picks = [0, 2];
    expect(show(cut().image(() => picks.shift()!))).toEqual({ wal: "abcd\0\0\0\0" });
  });

  it("refuses paths outside its one directory and reports a missing file as ENOENT", () => {
    const fs = new PowerCutFs(DIR);
    expect(() => fs.readFileSync("/elsewhere/x")).toThrow(/one directory/);
    expect(() => fs.readFileSync(`${DIR}/x`)).toThrow(expect.objectContaining({ code: "ENOENT" }));
  });
});
