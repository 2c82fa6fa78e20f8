/** The tickets ticked on the current page of the list (ids), with the few ways to change it. */
import { useMemo, useState } from "react";

export interface Selection {
  ids: number[];
  has: (id: number) => boolean;
  toggle: (id: number) => void;
  setAll: (ids: number[], on: boolean) => void;
  replace: (ids: number[]) => void;
}

export function useSelection(): Selection {
  const [ids, setIds] = useState<number[]>([]);
  return useMemo(() => {
    const chosen = new Set(ids);
    return {
      ids,
      has: (id) => chosen.has(id),
      toggle: (id) => setIds((now) => (now.includes(id) ? now.filter((i) => i !== id) : [...now, id])),
      setAll: (all, on) =>
        setIds((now) => (on ? [...now, ...all.filter((i) => !now.includes(i))] : now.filter((i) => !all.includes(i)))),
      replace: setIds,
    };
  }, [ids]);
}
