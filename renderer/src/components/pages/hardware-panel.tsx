import { formatBytes } from '../../lib/format';
import { useAppStore } from '../../store/store-context';

/** What this machine offers local models: backend, devices, memory and threads. */
export function HardwarePanel() {
  const hardware = useAppStore((s) => s.hardware);
  if (!hardware) return null;
  const { backend, devices, vram, ram, cpuCores, threads, memoryBudgetBytes } = hardware;
  const rows: [string, string][] = [
    ['Backend', backend.toUpperCase()],
    ['Devices', devices.length ? devices.join(', ') : 'CPU only'],
    ['RAM', `${formatBytes(ram.freeBytes)} free of ${formatBytes(ram.totalBytes)}`],
    ['VRAM', vram.totalBytes ? `${formatBytes(vram.freeBytes)} free of ${formatBytes(vram.totalBytes)}` : 'None'],
    ['Threads', `${threads.generation} generation · ${threads.batch} batch · ${cpuCores} cores`],
    ['Memory budget', formatBytes(memoryBudgetBytes)],
  ];
  return (
    <section className="panel" aria-labelledby="hardware-title">
      <h2 id="hardware-title" className="panel__title">
        This computer
      </h2>
      <dl className="facts">
        {rows.map(([term, value]) => (
          <div key={term} className="facts__row">
            <dt>{term}</dt>
            <dd>{value}</dd>
          </div>
        ))}
      </dl>
    </section>
  );
}
