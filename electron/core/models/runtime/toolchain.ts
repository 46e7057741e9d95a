import { execFile } from 'node:child_process';
import type { ToolchainStatus } from '../../../../shared/ipc/routes/runtime';

/** What to install for a local build, per platform (shown where no toolchain was found). */
export function installHint(platform: NodeJS.Platform = process.platform): string {
  switch (platform) {
    case 'darwin':
      return 'Install the Xcode command line tools (`xcode-select --install`) and CMake (`brew install cmake`).';
    case 'win32':
      return 'Install Visual Studio Build Tools (the "Desktop development with C++" workload) and CMake (https://cmake.org/download/).';
    case 'linux':
      return 'Debian/Ubuntu: `sudo apt install build-essential cmake`; Fedora: `sudo dnf install gcc-c++ cmake`.';
    default:
      return 'Install a C++ compiler and CMake.';
  }
}

function firstLine(command: string, args: string[]): Promise<string | null> {
  return new Promise((resolve) => {
    execFile(command, args, { timeout: 10_000, windowsHide: true }, (error, stdout, stderr) => {
      if (error) return resolve(null);
      const line = `${stdout}${stderr}`.split(/\r?\n/).find((l) => l.trim().length > 0);
      resolve(line?.trim() ?? '');
    });
  });
}

/**
 * cmake and a C++ compiler, found by running them (`--version`); npm too,
 * because node-llama-cpp drives its build through `npm run cmake-js-llama`.
 * On Windows `cl` only exists inside a developer prompt, so there
 * cmake alone counts and the build itself reports a missing compiler.
 */
export async function detectToolchain(platform: NodeJS.Platform = process.platform): Promise<ToolchainStatus> {
  const cmake = await firstLine('cmake', ['--version']);
  const compilers = platform === 'win32' ? [] : platform === 'darwin' ? ['clang++', 'c++'] : ['c++', 'g++', 'clang++'];
  let compiler: string | null = platform === 'win32' ? 'Visual Studio (checked by the build)' : null;
  for (const candidate of compilers) {
    const version = await firstLine(candidate, ['--version']);
    if (version !== null) {
      compiler = version;
      break;
    }
  }
  const npm = await firstLine(platform === 'win32' ? 'npm.cmd' : 'npm', ['--version']);
  const missing = [
    ...(cmake === null ? ['CMake'] : []),
    ...(compiler === null ? ['a C++ compiler'] : []),
    ...(npm === null ? ['npm (Node.js)'] : []),
  ];
  return {
    available: missing.length === 0,
    cmake,
    compiler,
    missing,
    installHint: missing.length === 0 ? null : installHint(platform),
  };
}
