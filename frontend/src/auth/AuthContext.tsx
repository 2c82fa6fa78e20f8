/** The signed-in user, the session and the API client, for every component. */
import {
  createContext,
  useCallback,
  useContext,
  useEffect,
  useMemo,
  useState,
  type ReactNode,
} from "react";
import { Api } from "../api/client";
import { messageOf } from "../api/errors";
import type { components } from "../api/schema";
import { Session, type SignInForm } from "./session";

type User = components["schemas"]["UserRead"];

interface AuthValue {
  api: Api;
  session: Session;
  /** undefined while the first check runs; null when signed out. */
  user: User | null | undefined;
  signIn: (form: SignInForm) => Promise<void>;
  signOut: () => Promise<void>;
  reloadUser: () => Promise<void>;
  /** Why the signed-in user could not be loaded (network, 5xx), if so. */
  loadError: string | null;
}

const AuthContext = createContext<AuthValue | null>(null);

export function createSession(): Session {
  return new Session({
    storage: window.localStorage,
    fetch: (...args) => window.fetch(...args),
    locks: typeof navigator !== "undefined" ? navigator.locks : undefined,
  });
}

export function AuthProvider({ session, children }: { session: Session; children: ReactNode }) {
  const api = useMemo(() => new Api(session), [session]);
  const [user, setUser] = useState<User | null | undefined>(
    session.signedIn ? undefined : null,
  );
  const [loadError, setLoadError] = useState<string | null>(null);

  const reloadUser = useCallback(async () => {
    if (!session.signedIn) {
      setUser(null);
      return;
    }
    try {
      setUser(await api.get("/api/users/me"));
      setLoadError(null);
    } catch (error) {
      // Signed out (revoked, expired) -> the sign-in page; anything else -> say so, keep trying.
      if (!session.signedIn) setUser(null);
      else setLoadError(messageOf(error));
    }
  }, [api, session]);

  useEffect(() => {
    void reloadUser();
  }, [reloadUser]);

  useEffect(
    () =>
      session.subscribe(() => {
        if (!session.signedIn) setUser(null);
      }),
    [session],
  );

  useEffect(() => {
    const onStorage = (event: StorageEvent) => session.storageChanged(event.key, event.newValue);
    window.addEventListener("storage", onStorage);
    return () => window.removeEventListener("storage", onStorage);
  }, [session]);

  const signIn = useCallback(
    async (form: SignInForm) => {
      await session.signIn(form);
      await reloadUser();
    },
    [session, reloadUser],
  );

  const signOut = useCallback(async () => {
    await session.signOut();
    setUser(null);
  }, [session]);

  const value = useMemo(
    () => ({ api, session, user, signIn, signOut, reloadUser, loadError }),
    [api, session, user, signIn, signOut, reloadUser, loadError],
  );
  return <AuthContext.Provider value={value}>{children}</AuthContext.Provider>;
}

export function useAuth(): AuthValue {
  const value = useContext(AuthContext);
  if (!value) throw new Error("useAuth outside AuthProvider");
  return value;
}

/** The signed-in user (only under the signed-in layout). */
export function useUser(): User {
  const { user } = useAuth();
  if (!user) throw new Error("useUser while signed out");
  return user;
}
