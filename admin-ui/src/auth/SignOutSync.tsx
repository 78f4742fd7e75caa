/**
 * Mounted in the layout of a signed-in tab: when another tab signs out, this one signs out too –
 * react-admin's logout clears its query cache and store and shows the login page, so no client data
 * stays on screen.
 */
import { useEffect } from 'react';
import { useLogout } from 'react-admin';
import { onSignOutElsewhere } from './signOutSync';

export function SignOutSync() {
  const logout = useLogout();
  useEffect(() => onSignOutElsewhere(() => void logout({ fromOtherTab: true }, '/login', false)), [logout]);
  return null;
}
