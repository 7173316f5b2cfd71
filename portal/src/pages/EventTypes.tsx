import { api, errorOf } from '../api/client';
import { Loaded } from '../components/Status';
import { useLoad } from '../components/useLoad';

export function EventTypesPage() {
  const catalog = useLoad(async () => {
    const result = await api.GET('/v1/event-types');
    return { data: result.data?.items, error: errorOf(result) };
  }, []);
  return (
    <>
      <h1>Event catalog</h1>
      <p className="lead">Every event type an endpoint can subscribe to, with the body it receives.</p>
      <Loaded state={catalog} what="Event catalog">
        {(items) =>
          items.map((entry) => (
            <section key={entry.type} className="card" aria-labelledby={`type-${entry.type}`}>
              <h2 id={`type-${entry.type}`}>
                <code>{entry.type}</code>
              </h2>
              <p>{entry.description}</p>
              <details>
                <summary>Example payload</summary>
                <pre tabIndex={0}>{JSON.stringify(entry.samplePayload, null, 2)}</pre>
              </details>
              <details>
                <summary>JSON Schema</summary>
                <pre tabIndex={0}>{JSON.stringify(entry.schema, null, 2)}</pre>
              </details>
            </section>
          ))
        }
      </Loaded>
    </>
  );
}
