/**
 * Every channel kind, by name. Adding a channel: one new file in this folder and one line here
 * (the `Record` makes the type checker refuse a `ChannelKind` without its factory).
 */
import type { ChannelFactory, ChannelKind } from '../types.ts';
import { email } from './email.ts';
import { ntfy } from './ntfy.ts';
import { slack } from './slack.ts';
import { webhook } from './webhook.ts';

export const CHANNELS: Record<ChannelKind, ChannelFactory> = { webhook, slack, email, ntfy };
