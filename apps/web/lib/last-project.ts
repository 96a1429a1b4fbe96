// The project a user last looked at, remembered in this browser (per user), so the dashboard opens
// on it. Falls back to nothing when storage is unavailable (private windows, quotas).
const key = (userId: string) => `dataengine:last-project:${userId}`;

export function rememberLastProject(userId: string, projectId: string): void {
  try {
    window.localStorage.setItem(key(userId), projectId);
  } catch {
    // storage refused: the dashboard then opens on the most recently active project
  }
}

export function lastProject(userId: string): string | null {
  try {
    return window.localStorage.getItem(key(userId));
  } catch {
    return null;
  }
}
