/**
 * chart.js for the report, registered once with only what its two charts use: bars (deliveries
 * per day, the funnel) and a line (the daily cap). No animation: a polled page redraws quietly.
 */
import {
  BarController,
  BarElement,
  CategoryScale,
  Chart,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  Tooltip,
} from 'chart.js';

Chart.register(
  BarController,
  BarElement,
  CategoryScale,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  Tooltip,
);
Chart.defaults.animation = false;
Chart.defaults.font.family =
  "system-ui, -apple-system, 'Hiragino Sans', 'Noto Sans CJK JP', 'Noto Sans JP', sans-serif";
Chart.defaults.color = '#5d6678';

export { Chart };
export type { ChartConfiguration } from 'chart.js';

export const chartColors = {
  sent: '#1f5fbf',
  cap: '#b3261e',
  funnel: '#1c7c4a',
} as const;
