/**
 * Sign-out reaches every open tab: the tab that signs out announces it (BroadcastChannel; a storage
 * event where that is missing), and every other tab drops its cached data and goes to the login page
 * (SignOutSync). Nothing personal is sent – only that a sign-out happened.
 */
const CHANNEL = 'kim-auth';
const STORAGE_KEY = 'kim-signed-out';

type Listener = () => void;

export function announceSignOut(): void {
  if (typeof BroadcastChannel !== 'undefined') {
    const ch = new BroadcastChannel(CHANNEL);
    ch.postMessage({ type: 'signed-out' });
    ch.close();
    return;
  }
  try {
    window.localStorage.setItem(STORAGE_KEY, String(Date.now()));
  } catch {
    // storage unavailable (private mode): other tabs notice at their next request (401)
  }
}

/** Calls `onSignOut` when another tab signs out; returns the unsubscribe function. */
export function onSignOutElsewhere(onSignOut: Listener): () => void {
  if (typeof BroadcastChannel !== 'undefined') {
    const ch = new BroadcastChannel(CHANNEL);
    ch.onmessage = (e: MessageEvent<{ type?: string }>) => {
      if (e.data?.type === 'signed-out') onSignOut();
    };
    return () => ch.close();
  }
  const onStorage = (e: StorageEvent) => {
    if (e.key === STORAGE_KEY) onSignOut();
  };
  window.addEventListener('storage', onStorage);
  return () => window.removeEventListener('storage', onStorage);
}
