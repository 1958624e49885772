/** One chart.js chart on a canvas, drawn again only when what it shows changes. */
import { useEffect, useRef } from 'preact/hooks';
import { Chart, type ChartConfiguration } from './charts';

export function ChartCanvas({
  name,
  config,
  label,
}: {
  /** `data-chart` for tests. */
  name: string;
  config: ChartConfiguration;
  /** What the chart shows, for screen readers (the table beside it holds the figures). */
  label: string;
}) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const key = JSON.stringify(config);
  useEffect(() => {
    if (!canvas.current) return undefined;
    const chart = new Chart(canvas.current, config);
    return () => chart.destroy();
  }, [key]);
  return (
    <div class="chart-box" data-chart={name}>
      <canvas ref={canvas} role="img" aria-label={label} />
    </div>
  );
}
