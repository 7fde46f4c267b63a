/**
 * Stages hand each other typed messages through one small Bus: in-process by default; a NATS
 * JetStream implementation carries the same topics when probing is spread over agents.
 */

import type { PathChange, StateTransition, VantageHealthChange } from '../detect/types.ts';
import type { SelfHealthState } from '../model/health.ts';
import type { Incident } from '../model/incident.ts';
import type { Observation } from '../model/observation.ts';
import type { ReportLevelChange } from '../reports/types.ts';

/** Every topic and the message it carries. */
export interface Topics {
  observation: Observation;
  transition: StateTransition;
  vantage: VantageHealthChange;
  /** A site failing from some healthy vantages only (a path or regional problem), or no longer. */
  path: PathChange;
  incident: Incident;
  /** A crowd-report level changed (a site, or `provider:<id>`). */
  report: ReportLevelChange;
  /** The monitor's own measurements became unreliable (verdicts withheld) or reliable again. */
  health: SelfHealthState;
}

export type Topic = keyof Topics;
export type Handler<T extends Topic> = (msg: Topics[T]) => void;

export interface Bus {
  publish<T extends Topic>(topic: T, msg: Topics[T]): void;
  /** Returns an unsubscribe function. */
  subscribe<T extends Topic>(topic: T, handler: Handler<T>): () => void;
  close(): Promise<void>;
}

/** Synchronous in-process delivery; a throwing handler is reported and does not stop the others. */
export class InProcessBus implements Bus {
  private handlers = new Map<Topic, Set<Handler<Topic>>>();

  constructor(private onError: (err: unknown, topic: Topic) => void = () => {}) {}

  publish<T extends Topic>(topic: T, msg: Topics[T]): void {
    const hs = this.handlers.get(topic);
    if (!hs) return;
    for (const h of hs) {
      try {
        (h as Handler<T>)(msg);
      } catch (err) {
        this.onError(err, topic);
      }
    }
  }

  subscribe<T extends Topic>(topic: T, handler: Handler<T>): () => void {
    let hs = this.handlers.get(topic);
    if (!hs) {
      hs = new Set();
      this.handlers.set(topic, hs);
    }
    hs.add(handler as Handler<Topic>);
    return () => hs.delete(handler as Handler<Topic>);
  }

  async close(): Promise<void> {
    this.handlers.clear();
  }
}
