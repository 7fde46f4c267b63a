/**
 * Test helper: a small world with the shapes of the brief's seed incidents — OVH across regions and
 * roles with Cloudflare-fronted sites on OVH origins, Fluxus shared and dedicated hosting behind a
 * shared switch, a SaaS platform on AWS, regional platforms, other hosts. Not used by the pipeline.
 */
import { type FixtureProvider, type FixtureSite, many } from './fixtures.ts';

export const PROVIDERS: FixtureProvider[] = [
  { id: 'ovh', asn: 16276, org: 'OVH SAS' },
  { id: 'cloudflare', asn: 13335, org: 'CLOUDFLARENET' },
  { id: 'scaleway', asn: 12876, org: 'Online S.a.s.' },
  { id: 'hetzner', asn: 24940, org: 'Hetzner Online GmbH' },
  { id: 'aws', asn: 16509, org: 'AMAZON-02' },
  { id: 'fluxus', asn: 64512, org: 'FLUXUS' },
  { id: 'gmail', asn: 15169, org: 'Google LLC' },
  { id: 'vclass', hostedOn: 'aws' },
  { id: 'ent-nord', hostedOn: 'scaleway' },
];

export const SITES: FixtureSite[] = [
  ...many('gra-s{n}.test', 40, { hosting: { provider: 'ovh', region: 'gra', plan: 'shared' }, mail: 'ovh' }),
  ...many('gra-d{n}.test', 20, { hosting: { provider: 'ovh', region: 'gra', plan: 'dedicated' } }),
  ...many('rbx-s{n}.test', 40, { hosting: { provider: 'ovh', region: 'rbx', plan: 'shared' } }),
  ...many('sbg-s{n}.test', 40, {
    hosting: { provider: 'ovh', region: 'sbg', plan: 'shared' },
    mail: 'gmail',
  }),
  ...many('sbg-d{n}.test', 20, { hosting: { provider: 'ovh', region: 'sbg', plan: 'dedicated' } }),
  ...many('cf-ovh{n}.test', 30, {
    hosting: { provider: 'ovh', region: 'rbx' },
    cdn: 'cloudflare',
    dns: 'cloudflare',
  }),
  ...many('cf-aws{n}.test', 30, {
    hosting: { provider: 'aws', region: 'eu-west-3' },
    cdn: 'cloudflare',
    dns: 'cloudflare',
  }),
  ...many('scw{n}.test', 40, {
    hosting: { provider: 'scaleway', region: 'par', plan: 'dedicated' },
    dns: 'ovh',
  }),
  ...many('hz{n}.test', 40, {
    hosting: { provider: 'hetzner', region: 'fsn', plan: 'shared' },
    mail: 'gmail',
  }),
  ...many('aws{n}.test', 40, { hosting: { provider: 'aws', region: 'eu-west-3', plan: 'dedicated' } }),
  ...many('classe-{n}.test', 30, { platform: 'vclass', dns: 'aws' }),
  ...many('college-{n}.test', 30, { platform: 'ent-nord', dns: 'scaleway' }),
  ...many('fx-s{n}.test', 60, { hosting: { provider: 'fluxus', plan: 'shared' } }),
  ...many('fx-d{n}.test', 15, { hosting: { provider: 'fluxus', plan: 'dedicated' } }),
  ...many('assurance-{n}.test', 2, {
    hosting: { provider: 'fluxus', plan: 'dedicated' },
    shares: ['fw-shared-switch'],
  }),
];
