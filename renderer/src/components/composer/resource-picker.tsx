import { useMemo, useState } from 'react';
import { useAppStore } from '../../store/store-context';
import { CloseIcon, PaperclipIcon } from '../common/icons';
import { Popover } from '../common/popover';
import { Field } from '../common/field';

function ResourceList() {
  const servers = useAppStore((s) => s.mcpServers);
  const attached = useAppStore((s) => s.attachedResources);
  const attachResource = useAppStore((s) => s.attachResource);
  const detachResource = useAppStore((s) => s.detachResource);
  const [filter, setFilter] = useState('');
  const groups = useMemo(() => {
    const needle = filter.trim().toLowerCase();
    return servers
      .filter((s) => s.state === 'ready' && s.resources.length > 0)
      .map((s) => ({
        server: s.name,
        resources: s.resources.filter((r) => !needle || r.name.toLowerCase().includes(needle) || r.uri.toLowerCase().includes(needle)),
      }))
      .filter((g) => g.resources.length > 0);
  }, [servers, filter]);
  const anyResources = servers.some((s) => s.state === 'ready' && s.resources.length > 0);

  if (!anyResources) return <p className="muted">No ready MCP server offers resources.</p>;
  return (
    <>
      <Field label="Filter resources">
        <input
          className="input"
          value={filter}
          placeholder="Name or URI"
          onChange={(event) => setFilter(event.target.value)}
          // inside the composer's form: Enter must not send the message
          onKeyDown={(event) => event.key === 'Enter' && event.preventDefault()}
        />
      </Field>
      <div className="resource-picker__list">
        {groups.length === 0 && <p className="muted">Nothing matches.</p>}
        {groups.map((group) => (
          <div key={group.server} role="group" aria-label={`Resources of ${group.server}`}>
            <p className="resource-picker__server">{group.server}</p>
            {group.resources.map((resource) => {
              const isAttached = attached.some((a) => a.server === group.server && a.uri === resource.uri);
              return (
                <button
                  key={resource.uri}
                  type="button"
                  className={`resource-picker__item${isAttached ? ' is-attached' : ''}`}
                  aria-pressed={isAttached}
                  title={resource.description ?? resource.uri}
                  onClick={() =>
                    isAttached
                      ? detachResource(group.server, resource.uri)
                      : attachResource({ server: group.server, uri: resource.uri, name: resource.name })
                  }
                >
                  <span className="resource-picker__name">{resource.name}</span>
                  <code className="resource-picker__uri">{resource.uri}</code>
                </button>
              );
            })}
          </div>
        ))}
      </div>
    </>
  );
}

/** "Attach resource": pick resources of ready MCP servers; their contents go with the next message. */
export function ResourcePicker() {
  const count = useAppStore((s) => s.attachedResources.length);
  return (
    <Popover
      label="Attach resource"
      title="Attach resource"
      buttonClassName={`composer__tool-button${count ? ' is-active' : ''}`}
      panelClassName="resource-picker"
      button={
        <>
          <PaperclipIcon />
          <span>Attach</span>
        </>
      }
    >
      <ResourceList />
    </Popover>
  );
}

/** The resources attached to the next message, each removable. */
export function AttachedResourceChips() {
  const attached = useAppStore((s) => s.attachedResources);
  const detachResource = useAppStore((s) => s.detachResource);
  if (attached.length === 0) return null;
  return (
    <ul className="chips" aria-label="Attached resources">
      {attached.map((resource) => (
        <li key={`${resource.server}\n${resource.uri}`} className="chip" title={`${resource.server}: ${resource.uri}`}>
          <PaperclipIcon className="chip__icon" />
          <span className="chip__label">{resource.name}</span>
          <button type="button" className="chip__remove" aria-label={`Remove ${resource.name}`} onClick={() => detachResource(resource.server, resource.uri)}>
            <CloseIcon />
          </button>
        </li>
      ))}
    </ul>
  );
}
