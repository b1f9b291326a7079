import { cpus, totalmem } from 'node:os';

/** One line describing where the numbers were taken, printed with every benchmark. */
export function machineLine(): string {
  const cpu = cpus();
  const model = cpu[0]?.model?.trim() ?? 'unknown CPU';
  return `machine: ${cpu.length} CPUs (${model}), ${Math.round(totalmem() / 2 ** 30)} GiB RAM, Node ${process.version}, ${process.platform}/${process.arch}`;
}
