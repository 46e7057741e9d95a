import { useEffect, useId } from 'react';
import type { RuntimeInfo } from '../../../../shared/ipc/routes/runtime';
import { useAppStore } from '../../store/store-context';

const BUILD_STATE: Record<RuntimeInfo['build']['state'], string> = {
  idle: '',
  building: 'Building…',
  checking: 'Checking the build against the prebuilt…',
  succeeded: 'Built and checked: used from the next model load',
  failed: 'The build failed',
  cancelled: 'The build was cancelled',
};

function BuildProgressView({ build }: { build: RuntimeInfo['build'] }) {
  const cancel = useAppStore((s) => s.cancelRuntimeBuild);
  const running = build.state === 'building' || build.state === 'checking';
  const percent = build.progress === null ? null : Math.round(build.progress * 100);
  return (
    <div className="runtime-build">
      <div className="runtime-build__head">
        <span role="status">
          {BUILD_STATE[build.state]}
          {running && percent !== null ? ` ${percent}%` : ''}
        </span>
        {running && (
          <button type="button" className="button button--small" onClick={() => void cancel()}>
            Cancel build
          </button>
        )}
      </div>
      {running && (
        <progress
          className="runtime-build__bar"
          aria-label="Build progress"
          max={100}
          value={build.state === 'checking' ? undefined : (percent ?? undefined)}
        />
      )}
      {build.error && (
        <p className="runtime-build__error" role="alert">
          {build.error}
        </p>
      )}
      {build.log.length > 0 && (
        <details className="runtime-build__log" open={running}>
          <summary>Build log</summary>
          <pre aria-label="Build log">{build.log.join('\n')}</pre>
        </details>
      )}
    </div>
  );
}

/** The llama.cpp runtime local models use, this CPU's features, "Build for this computer", and threads by measurement. */
export function RuntimePanel() {
  const info = useAppStore((s) => s.runtimeInfo);
  const status = useAppStore((s) => s.runtimeStatus);
  const error = useAppStore((s) => s.runtimeError);
  const loadRuntime = useAppStore((s) => s.loadRuntime);
  const buildRuntime = useAppStore((s) => s.buildRuntime);
  const chooseRuntime = useAppStore((s) => s.chooseRuntime);
  const titleId = useId();

  useEffect(() => {
    void loadRuntime();
  }, [loadRuntime]);

  const running = info?.build.state === 'building' || info?.build.state === 'checking';
  const check = info?.localBuild?.check ?? null;
  return (
    <section className="panel" aria-labelledby={titleId}>
      <h2 id={titleId} className="panel__title">
        Runtime
      </h2>
      {!info ? (
        <p className="muted">{status === 'error' ? `Could not read the runtime: ${error}` : 'Reading the runtime…'}</p>
      ) : (
        <>
          <dl className="facts">
            <div className="facts__row">
              <dt>In use</dt>
              <dd>
                {info.active.label}
                {info.active.llamaCppRelease ? <span className="muted"> · llama.cpp {info.active.llamaCppRelease}</span> : null}
              </dd>
            </div>
            {info.fallbackReason && (
              <div className="facts__row">
                <dt>Note</dt>
                <dd role="note">{info.fallbackReason}; the prebuilt is used.</dd>
              </div>
            )}
            <div className="facts__row">
              <dt>CPU features</dt>
              <dd>{info.cpu.features.length ? info.cpu.features.join(' · ') : 'Unknown'}</dd>
            </div>
            <div className="facts__row">
              <dt>Build for this computer</dt>
              <dd>
                {info.localBuild
                  ? check?.ok
                    ? `Checked (${check.tokens} greedy tokens match the prebuilt), llama.cpp ${info.localBuild.llamaCppRelease}`
                    : `Not used: ${check?.reason ?? 'not checked'}`
                  : 'None yet'}
              </dd>
            </div>
            {info.calibrating && (
              <div className="facts__row">
                <dt>Threads</dt>
                <dd role="status">Measuring threads for {info.calibrating}…</dd>
              </div>
            )}
            {info.calibrations.map((c) => (
              <div className="facts__row" key={`${c.runtime}|${c.modelName}|${c.measuredAt}`}>
                <dt>Threads · {c.modelName}</dt>
                <dd>
                  {c.chatThreads} (measured on {c.runtime.startsWith('local') ? 'the build for this computer' : c.runtime}: generation best at {c.generationThreads}, prompt at{' '}
                  {c.batchThreads})
                </dd>
              </div>
            ))}
          </dl>
          <div className="runtime-choice" role="radiogroup" aria-label="Runtime choice">
            {(['auto', 'prebuilt', 'local'] as const).map((variant) => (
              <label key={variant} className="runtime-choice__option">
                <input
                  type="radio"
                  name="runtime-variant"
                  checked={info.variant === variant}
                  disabled={running || (variant === 'local' && !check?.ok)}
                  onChange={() => void chooseRuntime(variant)}
                />
                {variant === 'auto' ? 'Automatic' : variant === 'prebuilt' ? 'Prebuilt' : 'Built for this computer'}
              </label>
            ))}
          </div>
          {info.toolchain.available ? (
            <p>
              <button type="button" className="button button--primary" disabled={running} onClick={() => void buildRuntime()}>
                Build for this computer
              </button>{' '}
              <span className="muted">
                Compiles llama.cpp for this CPU ({info.toolchain.compiler}; {info.toolchain.cmake}). It takes a few minutes.
              </span>
            </p>
          ) : (
            <p className="muted" role="note">
              To build for this computer, install {info.toolchain.missing.join(' and ')}. {info.toolchain.installHint}
            </p>
          )}
          {info.build.state !== 'idle' && <BuildProgressView build={info.build} />}
          {error && (
            <p className="runtime-build__error" role="alert">
              {error}
            </p>
          )}
        </>
      )}
    </section>
  );
}
