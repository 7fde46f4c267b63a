/** The mapper against a real world: a small scenario with every kind of dependency, mapped exactly. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mapWorld, startTestWorld } from '../../test/support/map.ts';
import { parseScenario } from '../lab/scenario/load.ts';
import { scoreMapping } from '../lab/score/map.ts';
import type { World } from '../lab/sim/world.ts';
import type { MapReport } from './types.ts';

const SCENARIO = `
name: map-test
start: 2021-01-01T00:00
end: 2021-01-01T02:00
providers:
  - {id: hostco, name: HOSTCO SAS, asn: 64500, roles: [hosting, dns, mail], regions: [r1, r2]}
  - {id: plainhost, name: PLAIN HOST, asn: 64510, roles: [hosting, dns]}
  - {id: ovh, name: OVH SAS, asn: 16276, catalog: ovh, roles: [hosting, dns, mail], regions: [rbx, gra]}
  - {id: aws, name: AMAZON-02, asn: 16509, catalog: aws, roles: [hosting, dns], regions: [eu-west-3, us-east-1]}
  - {id: gcp, name: GOOGLE-CLOUD-PLATFORM, asn: 396982, catalog: gcp, roles: [hosting], regions: [europe-west1]}
  - {id: azure, name: Microsoft Corporation, asn: 8075, catalog: azure, roles: [hosting], regions: [westeurope]}
  - {id: cloudflare, name: CLOUDFLARENET, asn: 13335, catalog: cloudflare, roles: [cdn, dns]}
  - {id: fastly, name: FASTLY, asn: 54113, catalog: fastly, roles: [cdn]}
  - {id: vclass, name: VCLASS, asn: 64601, roles: [platform], hosted_on: aws}
  - {id: google-workspace, name: Google LLC, asn: 15169, catalog: google-workspace, roles: [mail]}
sites:
  - {domain: "ded-{n}.test", count: 3, hosting: {provider: hostco, region: r2, plan: dedicated}, mail: hostco}
  - {domain: "sh-{n}.test", count: 5, hosting: {provider: hostco, region: r1, plan: shared}}
  - {domain: "plain-{n}.test", count: 2, hosting: {provider: plainhost, plan: shared}}
  - {domain: "ovh-{n}.test", count: 4, hosting: {provider: ovh, region: gra, plan: shared}, mail: ovh}
  - {domain: "aws-{n}.test", count: 2, hosting: {provider: aws, region: us-east-1, plan: dedicated}, mail: google-workspace}
  - {domain: "gcp-{n}.test", count: 2, hosting: {provider: gcp, plan: dedicated}, dns: cloudflare}
  - {domain: "az-{n}.test", count: 2, hosting: {provider: azure, plan: shared}, dns: aws}
  - {domain: "cf-{n}.test", count: 3, hosting: {provider: ovh, region: rbx, plan: dedicated}, cdn: cloudflare, dns: cloudflare}
  - {domain: "fa-{n}.test", count: 2, hosting: {provider: aws, region: eu-west-3, plan: shared}, cdn: fastly, dns: aws}
  - {domain: "cls-{n}.test", count: 3, hosting: {provider: aws, region: eu-west-3, plan: dedicated}, platform: vclass, dns: aws}
`;

let world: World;
let report: MapReport;

beforeAll(async () => {
  world = await startTestWorld(parseScenario(SCENARIO, 'map-test.yaml'));
  report = await mapWorld(world, { tls: true });
});
afterAll(async () => {
  await world?.stop();
});

describe('mapDomains on a mixed world', () => {
  it('maps every site exactly', () => {
    const score = scoreMapping(world.plan.scenario, report.domains);
    expect(score.misses).toEqual([]);
    expect(score.accuracy).toBe(1);
  });

  it('gives evidence and confidence, and names providers as the catalog does', () => {
    const cf = report.domains.find((d) => d.domain === 'cf-1.test')!;
    expect(cf.cdn).toMatchObject({ provider: 'cloudflare', asn: 13335 });
    expect(cf.cdn!.evidence.join(' ')).toMatch(/cdn\.cloudflare\.net/);
    expect(cf.http?.markers).toContain('cloudflare');
    expect(cf.hosting?.hidden).toBe(true);
    const cls = report.domains.find((d) => d.domain === 'cls-1.test')!;
    expect(cls.platform).toMatchObject({ provider: 'vclass' });
    expect(cls.hosting).toMatchObject({ provider: 'aws', region: 'eu-west-3' });
    const ded = report.domains.find((d) => d.domain === 'ded-1.test')!;
    expect(ded.hosting).toMatchObject({ provider: 'as64500', asn: 64500, org: 'HOSTCO SAS', region: 'r2' });
    expect(ded.dns).toMatchObject({ provider: 'as64500', asn: 64500 });
    expect(ded.plan).toMatchObject({ value: 'dedicated', sharedWith: 0 });
    const sh = report.domains.find((d) => d.domain === 'sh-1.test')!;
    expect(sh.plan).toMatchObject({ value: 'shared', sharedWith: 4 });
    const aws = report.domains.find((d) => d.domain === 'aws-1.test')!;
    expect(aws.mail).toMatchObject({ provider: 'google-workspace' });
    expect(aws.tls?.issuer).toBeTruthy();
    expect(cf.confidence).toBeGreaterThan(0.5);
  });
});
