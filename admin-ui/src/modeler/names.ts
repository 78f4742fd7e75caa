/**
 * People in the modeler's screens by their names ("Dr. Miriam Hoffmann"), not their user names:
 * the commune's users (GET /api/users, loaded once and cached by react-admin).
 */
import { useGetList } from 'react-admin';

export function useDisplayName(): (username: string | null | undefined) => string {
  const { data } = useGetList('users', { pagination: { page: 1, perPage: 200 }, sort: { field: 'displayName', order: 'ASC' } });
  return (username) => {
    if (!username) return '—';
    return String(data?.find((u) => u.username === username)?.displayName ?? username);
  };
}
