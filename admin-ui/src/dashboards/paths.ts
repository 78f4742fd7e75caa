/** Where the dashboard pages live and who sees them in the menu (the API checks again). */
export const DASHBOARD_PATH = '/kennzahlen';
export const EXPORT_PATH = '/export';
export const STAFF_POSTS_PATH = '/stellen';
export const DASHBOARD_ROLES = ['coordinator', 'land'];
export const EXPORT_ROLES = ['coordinator', 'land'];
export const STAFF_POSTS_ROLES = ['coordinator', 'admin'];
