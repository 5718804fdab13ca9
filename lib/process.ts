/**
 * Makes a process that was started by the dev launcher (`npm start`, with an IPC channel) exit when
 * the launcher goes away, however it went — so a killed launcher leaves no orphans behind.
 */
export function exitWithParent(): void {
  if (typeof process.send !== 'function') return;
  process.on('disconnect', () => process.exit(0));
}
