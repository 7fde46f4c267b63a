/** What a page is: a title, a body built from the API, and which live changes make it re-draw. */
import type { Batch } from './live.ts';

export interface ViewContext {
  /** The pipeline's clock when the page was drawn (simulated during a replay). */
  now: number;
  /** Width available to charts, px. */
  width: number;
  /** Run when the page is replaced (charts and graphs release their listeners). */
  onDispose(f: () => void): void;
}

export interface Page {
  title: string;
  body: HTMLElement;
  /** Run once the body is in the document (charts need their size). */
  mounted?: () => void | Promise<void>;
}

export interface View {
  render(ctx: ViewContext): Promise<Page>;
  /** Re-draw on this batch of live changes? Default: yes. */
  refreshOn?(b: Batch): boolean;
}
