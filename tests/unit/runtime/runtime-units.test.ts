import { describe, expect, test } from 'vitest';
import { progressOf } from '../../../electron/core/models/runtime/build';
import { candidateThreads, chooseThreads } from '../../../electron/core/models/runtime/calibration';
import { cpuFeatures } from '../../../electron/core/models/runtime/load-llama';
import { detectToolchain, installHint } from '../../../electron/core/models/runtime/toolchain';

describe('build progress', () => {
  test.each([
    ['[12/153] Building CXX object llama.cpp/src/llama.cpp.o', 12 / 153],
    ['[153/153] Linking CXX shared module llama-addon.node', 1],
    ['[ 42%] Building C object ggml/src/ggml.c.o', 0.42],
    ['[100%] Built target llama-addon', 1],
    ['-- Configuring done', null],
    ['warning: [12/3] is not a progress line when not at the start', null],
  ])('%s → %s', (line, expected) => {
    const got = progressOf(line);
    if (expected === null) expect(got).toBeNull();
    else expect(got).toBeCloseTo(expected, 5);
  });
});

describe('CPU features', () => {
  test('reads the features ggml reports as on', () => {
    const info = 'CPU : SSE3 = 1 | SSSE3 = 1 | AVX = 1 | AVX2 = 1 | F16C = 1 | FMA = 1 | AVX512 = 0 | OPENMP = 1 | REPACK = 1 |';
    expect(cpuFeatures(info)).toEqual(['SSE3', 'SSSE3', 'AVX', 'AVX2', 'F16C', 'FMA', 'OPENMP', 'REPACK']);
    expect(cpuFeatures(null)).toEqual([]);
  });
});

describe('thread choice', () => {
  test('the best count of each kind, and for chat the fastest pp512 + tg128 turn', () => {
    // 1 thread generates fastest, 2 process prompts twice as fast: a turn is quicker on 2
    const chosen = chooseThreads({ generationTps: [120, 100], promptTps: [1000, 2000] });
    expect(chosen).toEqual({ generation: 1, batch: 2, chat: 2 });
    // generation far slower with 2: the turn is quicker on 1
    expect(chooseThreads({ generationTps: [120, 40], promptTps: [1000, 1100] }).chat).toBe(1);
  });

  test('every count up to 8 cores; on bigger machines powers of two, half and all', () => {
    expect(candidateThreads(2)).toEqual([1, 2]);
    expect(candidateThreads(8)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(candidateThreads(24)).toEqual([1, 2, 4, 8, 12, 16, 24]);
  });

  test('counts never measured are not chosen', () => {
    expect(chooseThreads({ generationTps: [50, 0, 0, 0], promptTps: [300, 0, 0, 0] })).toEqual({ generation: 1, batch: 1, chat: 1 });
  });
});

describe('toolchain', () => {
  test('says what to install on each platform', () => {
    expect(installHint('linux')).toMatch(/build-essential cmake/);
    expect(installHint('linux')).toMatch(/gcc-c\+\+ cmake/);
    expect(installHint('darwin')).toMatch(/xcode-select --install/);
    expect(installHint('darwin')).toMatch(/brew install cmake/);
    expect(installHint('win32')).toMatch(/Visual Studio Build Tools/);
  });

  test('nothing found on the PATH: everything is missing, with the hint', async () => {
    const path = process.env.PATH;
    process.env.PATH = '/nonexistent';
    try {
      const status = await detectToolchain('linux');
      expect(status.available).toBe(false);
      expect(status.missing).toEqual(['CMake', 'a C++ compiler', 'npm (Node.js)']);
      expect(status.installHint).toMatch(/build-essential/);
    } finally {
      process.env.PATH = path;
    }
  });
});
