import type { ComponentChildren } from 'preact';

/** A table that scrolls sideways on a narrow screen instead of squeezing its columns. */
export function Table({
  name,
  head,
  children,
}: {
  name: string;
  head: ComponentChildren;
  children: ComponentChildren;
}) {
  return (
    <div class="table-wrap">
      <table data-table={name}>
        <thead>{head}</thead>
        <tbody>{children}</tbody>
      </table>
    </div>
  );
}
