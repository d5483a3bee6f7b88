// nixkit's custom requests, sent by method name. The SSH side of the extension is a separate bundle with its
// own copy of the protocol library, and the language client (from the main bundle) does not recognise that
// copy's RequestType objects ("Unknown parameter structure"); a method name means the same to both.
import type { LanguageClient } from 'vscode-languageclient/node';
import { ConfigurationsRequest, type ConfigurationsResult } from '../protocol/lsp-ext';

/** `nixkit/configurations` (client → server): every configuration with the values that matter for an install. */
export function requestConfigurations(client: LanguageClient): Promise<ConfigurationsResult> {
  return client.sendRequest<ConfigurationsResult>(ConfigurationsRequest.method, {});
}
