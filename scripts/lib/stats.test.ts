import { describe, expect, it } from "vitest";
import { median } from "./stats.js";

describe("median", () => {
  it("odd and even counts, unsorted input left alone", () => {
    const xs = [5, 1, 3];
    expect(median(xs)).toBe(3);
    expect(xs).toEqual([5, 1, 3]);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([])).toBeNaN();
  });
});
