import { createContext, useContext } from "react";

export interface Unread {
  unread: number | null;
  setUnread: (n: number) => void;
  refreshUnread: () => void;
}

export const UnreadContext = createContext<Unread | null>(null);

export function useUnread(): Unread {
  const ctx = useContext(UnreadContext);
  if (!ctx) throw new Error("useUnread outside UnreadContext");
  return ctx;
}
