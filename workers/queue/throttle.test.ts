import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { Throttle } from "./throttle";

describe("Throttle", () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it("sends at once, then at most once per interval with the latest state", async () => {
    const sent: number[] = [];
    let state = 0;
    const throttle = new Throttle(
      250,
      async () => void sent.push(state),
      () => Date.now(),
    );
    state = 1;
    throttle.poke();
    await vi.advanceTimersByTimeAsync(0);
    expect(sent).toEqual([1]);
    for (state = 2; state <= 50; state++) {
      throttle.poke();
      await vi.advanceTimersByTimeAsync(10);
    }
    await vi.advanceTimersByTimeAsync(20);
    // 49 pokes over 490 ms: sends at 0, 250 and 500 ms, each with the state of its moment.
    expect(sent.length).toBe(3);
    expect(sent[1]).toBeGreaterThan(1);
    await throttle.stop();
  });

  it("flush sends the state a pending send would have carried, then stops", async () => {
    const sent: number[] = [];
    let state = 0;
    const throttle = new Throttle(
      1000,
      async () => void sent.push(state),
      () => Date.now(),
    );
    throttle.poke();
    await vi.advanceTimersByTimeAsync(0);
    state = 7;
    throttle.poke();
    await vi.advanceTimersByTimeAsync(10);
    expect(sent).toEqual([0]);
    await throttle.flush();
    expect(sent).toEqual([0, 7]);
    throttle.poke();
    await vi.advanceTimersByTimeAsync(2000);
    expect(sent).toEqual([0, 7]);
  });

  it("sends nothing after stop, and stop waits for the send under way", async () => {
    vi.useRealTimers();
    let finished = false;
    const throttle = new Throttle(1000, async () => {
      await new Promise((r) => setTimeout(r, 30));
      finished = true;
    });
    throttle.poke();
    throttle.poke();
    await throttle.stop();
    expect(finished).toBe(true);
    finished = false;
    throttle.poke();
    await new Promise((r) => setTimeout(r, 50));
    expect(finished).toBe(false);
  });
});
