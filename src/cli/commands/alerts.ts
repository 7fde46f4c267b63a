/**
 * `vigie alerts test CHANNEL [--config FILE]`: send a test message on one configured channel now,
 * to check its settings (exit 0 delivered, 1 not delivered, 2 bad configuration or unknown channel).
 * Secrets are read from the environment as the server reads them, and never printed.
 */
import type { Command } from 'commander';
import { CHANNELS } from '../../alerts/channels/index.ts';
import { loadAlertsFile } from '../../alerts/config.ts';
import { catalogProviderName } from '../../alerts/message.ts';
import { sendTest } from '../../alerts/service.ts';
import { UsageError } from '../../errors.ts';

export function register(program: Command, setExitCode: (code: number) => void): void {
  const alerts = program.command('alerts').description('alert channels: send a test message');
  alerts
    .command('test')
    .description('send a test message on one channel of the configuration')
    .argument('<channel>', 'name of a channel under alerts.channels')
    .option('--config <file>', 'the configuration file', 'vigie.yaml')
    .option('--timeout <seconds>', 'give up after this long', '15')
    .action(async (name: string, o: { config: string; timeout: string }) => {
      const { alerts: config, publicUrl } = loadAlertsFile(o.config);
      const c = config.channels.find((x) => x.name === name);
      if (!c)
        throw new UsageError(
          `${o.config}: no alert channel named ${name}; channels: ${config.channels.map((x) => x.name).join(', ') || '(none)'}`,
        );
      const url = publicUrl ?? 'http://localhost:8080';
      let domain: string;
      try {
        domain = new URL(url).hostname || 'vigie.invalid';
      } catch {
        throw new UsageError(`${o.config}: public_url: expected an http(s) URL`);
      }
      const channel = CHANNELS[c.kind].create(c.name, c.settings, { domain: () => domain });
      const timeoutMs = Math.max(1, Number(o.timeout) || 15) * 1000;
      const error = await sendTest(
        channel,
        Date.now(),
        { publicUrl: url, providerName: catalogProviderName() },
        timeoutMs,
      );
      await channel.close?.();
      if (error === null) {
        process.stdout.write(`sent a test message on ${name} (${c.kind})\n`);
        return;
      }
      process.stderr.write(`vigie: test message on ${name} (${c.kind}) not delivered: ${error}\n`);
      setExitCode(1);
    });
}
