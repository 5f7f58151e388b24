/** The first admin's password in every server test and the server bench. */
export const ADMIN_PASSWORD = 'admin-password-for-tests';
