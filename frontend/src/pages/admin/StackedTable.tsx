/**
 * A table of named rows that, in a narrow card, stacks each row: its name on a line, then
 * each value under its column's name (a container query in admin.css), so a phone needs no
 * sideways scrolling. The roles are explicit, so it stays a table for screen readers
 * whatever the CSS display.
 */
import type { ReactNode } from "react";
import { TableScroll } from "../../components/ui";

export interface StackedRow {
  key: string | number;
  /** The row's header cell (the first column). */
  name: ReactNode;
  cells: ReactNode[];
  mono?: boolean;
}

interface Props {
  label: string;
  /** The column names, the row names' column first. */
  columns: string[];
  rows: StackedRow[];
  /** Stack in a narrow card (default); off for tables that fit anyway. */
  stack?: boolean;
}

export function StackedTable({ label, columns, rows, stack = true }: Props) {
  return (
    <TableScroll label={label}>
      <table className={stack ? "table stacked" : "table"} role="table">
        <caption className="visually-hidden">{label}</caption>
        <thead role="rowgroup">
          <tr role="row">
            {columns.map((c) => (
              <th key={c} scope="col" role="columnheader">{c}</th>
            ))}
          </tr>
        </thead>
        <tbody role="rowgroup">
          {rows.map((r) => (
            <tr key={r.key} role="row">
              <th scope="row" role="rowheader" className={r.mono ? "mono" : undefined}>{r.name}</th>
              {r.cells.map((cell, i) => (
                <td key={i} role="cell" data-label={columns[i + 1]}>{cell}</td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </TableScroll>
  );
}
