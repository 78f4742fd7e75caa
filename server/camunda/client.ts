import { Camunda8 } from '@camunda8/sdk';

export type Zeebe = ReturnType<Camunda8['getZeebeGrpcApiClient']>;

export interface EngineAddress {
  grpcAddress: string;
  restAddress: string;
}

/** The SDK client for our engine: gRPC for jobs, deploy, instances, messages; REST for topology checks. */
export function createCamunda(addr: EngineAddress, authStrategy = 'NONE'): { c8: Camunda8; zeebe: Zeebe } {
  const c8 = new Camunda8({
    ZEEBE_GRPC_ADDRESS: addr.grpcAddress,
    ZEEBE_REST_ADDRESS: addr.restAddress,
    CAMUNDA_AUTH_STRATEGY: authStrategy,
    CAMUNDA_OAUTH_DISABLED: authStrategy === 'NONE',
    ZEEBE_CLIENT_LOG_LEVEL: 'NONE',
    CAMUNDA_LOG_LEVEL: 'error',
    ZEEBE_GRPC_WORKER_LONGPOLL_SECONDS: 30,
  } as never);
  return { c8, zeebe: c8.getZeebeGrpcApiClient() };
}

/** True when the error is the engine's "not found" (job/task/instance gone). */
export function isNotFound(e: unknown): boolean {
  const err = e as { code?: number; message?: string };
  return err?.code === 5 || /NOT_FOUND|not found/i.test(err?.message ?? '');
}
