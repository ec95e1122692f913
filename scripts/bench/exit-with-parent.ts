// For the bench's own child processes (the SQL proxy, the peer gateways): exit once the bench that
// started them is gone, however it ended, rather than keep its ports. Kept apart from processes.ts so
// a peer gateway loads nothing it would not load anyway: its memory is measured.
export function exitWithParent(): void {
  const parent = process.ppid;
  setInterval(() => {
    if (process.ppid !== parent) process.exit(0);
  }, 1_000).unref();
}
