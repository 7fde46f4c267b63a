/** The monitor's own health: whether its measurements can be trusted right now. Types only. */

export interface SelfHealthState {
  /** Clock time of the change. */
  at: number;
  /** False while the machine's own trouble could make live sites look down or slow. */
  reliable: boolean;
  /** Why (the figure and the limit it crossed), or what came back to normal. */
  reason: string;
  /** Longest event-loop stall over the last window, real ms. */
  loopDelayMs: number;
  /** Worst scheduler lateness over the last window, real ms. */
  latenessMs: number;
}
