/**
 * Code splitting: a component whose module (and its heavy libraries – bpmn-js, form-js, the
 * modeler) is loaded only when it is first shown, so the inbox and the case file do not wait for
 * them. Each has its own Suspense boundary with a German loading line.
 */
import { ComponentType, lazy, Suspense } from 'react';
import { LinearProgress } from '@mui/material';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a module of components with any props
export function lazyComponent<M extends Record<K, ComponentType<any>>, K extends keyof M & string>(load: () => Promise<M>, name: K): M[K] {
  const Lazy = lazy(async () => ({ default: (await load())[name] as ComponentType<Record<string, unknown>> }));
  function LazyComponent(props: Record<string, unknown>) {
    return (
      <Suspense fallback={<LinearProgress aria-label="Wird geladen …" sx={{ my: 1 }} />}>
        <Lazy {...props} />
      </Suspense>
    );
  }
  LazyComponent.displayName = `Lazy(${name})`;
  return LazyComponent as unknown as M[K];
}
