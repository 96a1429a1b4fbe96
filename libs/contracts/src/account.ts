/** Shortest password an account may have (sign-up by an admin, the CLI, changing one's own). */
export const MIN_PASSWORD_LENGTH = 8;
