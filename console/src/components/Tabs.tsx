import { useLocation } from 'preact-iso';

/** Tabs kept in the URL's `?tab=` so a link opens the same tab. */
export function Tabs({
  tabs,
  current,
}: {
  tabs: { id: string; label: string }[];
  current: string;
}) {
  const { path, query, route } = useLocation();
  return (
    <nav class="tabs" role="tablist">
      {tabs.map((tab) => {
        const params = new URLSearchParams({ ...query, tab: tab.id });
        return (
          <a
            key={tab.id}
            role="tab"
            aria-selected={tab.id === current}
            class={tab.id === current ? 'tab tab-current' : 'tab'}
            href={`${path}?${params.toString()}`}
            data-tab={tab.id}
            onClick={(event) => {
              event.preventDefault();
              route(`${path}?${params.toString()}`);
            }}
          >
            {tab.label}
          </a>
        );
      })}
    </nav>
  );
}
