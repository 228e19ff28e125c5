// Who is signed in. On load the refresh cookie is tried once, so a reload keeps the session.
import { createContext, useCallback, useContext, useEffect, useState, type ReactNode } from "react";
import { onSignedOut, renew, request, setSession } from "./api";
import { graphql } from "./gql";
import type { ViewerQuery } from "./gql/graphql";
import type { Locale } from "./i18n";

const ViewerDoc = graphql(`
  query Viewer {
    viewer {
      locale
      seesAllUnits
      user {
        id
        username
        displayName
      }
      orgUnit {
        id
        name
        nameEn
      }
      roles {
        role
        titleZh
      }
    }
  }
`);

const LogoutDoc = graphql(`
  mutation Logout {
    logout {
      __typename
    }
  }
`);

const SetLocaleDoc = graphql(`
  mutation SetLocale($input: UpdateUserInput!) {
    updateUser(input: $input) {
      __typename
      ... on UserError {
        code
        message
        field
      }
    }
  }
`);

export type Viewer = NonNullable<ViewerQuery["viewer"]>;

interface Session {
  viewer: Viewer | null;
  /** Called after `login` succeeded and the token is set. */
  signedIn: () => Promise<Viewer | null>;
  signOut: () => Promise<void>;
  /** Remember the language on the server (the notices' language follows it). */
  saveLocale: (locale: Locale) => Promise<void>;
}

const SessionContext = createContext<Session | null>(null);

export function useSession(): Session {
  const ctx = useContext(SessionContext);
  if (!ctx) throw new Error("useSession outside SessionProvider");
  return ctx;
}

export function SessionProvider({
  children,
  fallback,
}: {
  children: ReactNode;
  fallback: ReactNode;
}) {
  const [viewer, setViewer] = useState<Viewer | null>(null);
  const [ready, setReady] = useState(false);

  const loadViewer = useCallback(async () => {
    const data = await request(ViewerDoc);
    setViewer(data.viewer?.user ? data.viewer : null);
    return data.viewer?.user ? data.viewer : null;
  }, []);

  useEffect(() => {
    let live = true;
    void (async () => {
      try {
        if (await renew()) await loadViewer();
      } catch {
        setViewer(null);
      } finally {
        if (live) setReady(true);
      }
    })();
    const off = onSignedOut(() => setViewer(null));
    return () => {
      live = false;
      off();
    };
  }, [loadViewer]);

  const signOut = useCallback(async () => {
    try {
      await request(LogoutDoc);
    } finally {
      setSession(null);
      setViewer(null);
    }
  }, []);

  const saveLocale = useCallback(
    async (locale: Locale) => {
      if (!viewer?.user) return;
      await request(SetLocaleDoc, { input: { id: viewer.user.id, locale } });
    },
    [viewer],
  );

  if (!ready) return <>{fallback}</>;
  return (
    <SessionContext.Provider value={{ viewer, signedIn: loadViewer, signOut, saveLocale }}>
      {children}
    </SessionContext.Provider>
  );
}
