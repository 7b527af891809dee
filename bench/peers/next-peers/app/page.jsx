export default function Home() {
  return (
    <main>
      <p>Benchmark peers: POST /api/naive, POST /api/ai-sdk, page /markdown.</p>
    </main>
  );
}
