import { OpsConsole } from '../../../features/ops/ops-console';
import '../../../styles/console.css';

export default function OpsPage() {
  return <OpsConsole />;
}
