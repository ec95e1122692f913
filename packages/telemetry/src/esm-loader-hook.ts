import { register } from 'node:module';
import { createAddHookMessageChannel } from 'import-in-the-middle';

/**
 * Lets instrumentations patch what is loaded through `import`, which Node's CommonJS hooks never see:
 * import-in-the-middle's loader, told over a message channel which modules the instrumentations
 * hook, so no other module (our own .ts sources included) goes through it. Returns a wait for the
 * loader to have taken every hook in: await it before the application is imported.
 */
export function registerEsmLoaderHook(): () => Promise<void> {
  const { registerOptions, waitForAllMessagesAcknowledged } = createAddHookMessageChannel();
  register('import-in-the-middle/hook.mjs', import.meta.url, registerOptions);
  return waitForAllMessagesAcknowledged;
}
